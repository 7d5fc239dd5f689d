/** Messages to a sink's thread: an item to handle, or `close` (release and end). Ids are the sender's. */
export type SinkRequest<T> = { readonly id: number; readonly kind: 'item'; readonly item: T } | { readonly id: number; readonly kind: 'close' };

/** The thread's answer to one request: the handler's value, or the message of the error it threw. */
export interface SinkReply<R> {
  readonly id: number;
  readonly value?: R;
  readonly error?: string;
}
