// Process entry of the primes subgraph: the one subgraph path (lib/subgraph) on this process's settings.

import { runSubgraph } from '../../../lib/subgraph';
import { primesSubgraph } from './subgraph';

runSubgraph(primesSubgraph);
