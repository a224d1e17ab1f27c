/** Scale-out: the order worker many engine processes run side by side in one queue group, executing each order exactly once. */
export { OrderWorker, type OrderWorkerOptions, type WorkerStats } from './worker.ts';
