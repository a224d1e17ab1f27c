/** Service health: the report shape `solrules doctor` (and readiness checks) use, and a TCP probe that says why a port does not answer. */
export { tcpProbe, type ServiceReport } from './probe.ts';
