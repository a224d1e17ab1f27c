/** What is shown of a service URL (messages, doctor, logs): never its password. */

/**
 * `url` with every `user:password@` password replaced by `***` — also on multi-host URLs
 * (`nats://u:pw@a:4222,v:pw@b:4222`) and strings that are not URLs at all.
 */
export function redactUrl(url: string): string {
  return url.replace(/((?:\/\/|,)[^:/@,]*:)[^@/,]*@/g, '$1***@');
}
