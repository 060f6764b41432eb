/**
 * An error that the gRPC handlers answer with a specific status code instead of
 * INTERNAL. Allocate-side code throws it; kubelet/ maps it onto the wire.
 */
import { status } from '@grpc/grpc-js';

export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: status = status.INVALID_ARGUMENT,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
