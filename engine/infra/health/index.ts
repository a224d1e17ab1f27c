/** Service health: the report shape `solrules doctor` (and readiness checks) use, a TCP probe that says why a port does not answer, and service URLs without their passwords. */
export { tcpProbe, unusableSetting, type ServiceReport } from './probe.ts';
export { redactUrl } from './redact.ts';
