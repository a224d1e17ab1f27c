/**
 * Imported first by this folder's index: points grpc-js at a root bundle that includes the
 * sandbox certificate before anything loads grpc-js, so an unmodified jito-ts searcherClient
 * created in this process can dial the sandbox block engine over TLS. Set
 * SOLRULES_SANDBOX_TRUST=0 to leave GRPC_DEFAULT_SSL_ROOTS_FILE_PATH alone.
 */
import { trustSandboxTls } from './tls.ts';

if (process.env.SOLRULES_SANDBOX_TRUST !== '0') trustSandboxTls();
