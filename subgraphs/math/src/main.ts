// Process entry of the math subgraph: the one subgraph path (lib/subgraph) on this process's settings.

import { runSubgraph } from '../../../lib/subgraph';
import { mathSubgraph } from './subgraph';

runSubgraph(mathSubgraph);
