// The admission family: a process's budget for work in flight (bytes of memory here), taken in arrival order within
// each request's deadline, and its metrics.

export { Admission, type AdmissionOptions, type AdmissionStats } from './admission';
export { registerAdmissionMetrics } from './metrics';
