import { hostname } from 'node:os';

/**
 * This process's name as a replica, `<host name>/<process id>` (in Kubernetes the host name is the
 * pod's): what its decision records carry as `servedBy`.
 */
export function replicaName(): string {
  return `${hostname()}/${process.pid}`;
}
