import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

/**
 * google.rpc.Status, the error body OTLP/HTTP asks for ("Failures": a Status in the request's
 * encoding), read by protobufjs from the official googleapis definitions kept in ./proto
 * (status.proto and code.proto, Apache-2.0; protobufjs supplies google/protobuf/any.proto).
 */
const PROTO_DIR = fileURLToPath(new URL("./protos/", import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith("google/rpc/") ? PROTO_DIR + target : target);
root.loadSync(["google/rpc/status.proto", "google/rpc/code.proto"]);
const Status = root.lookupType("google.rpc.Status");
const Code = root.lookupEnum("google.rpc.Code").values as Record<string, number>;

/**
 * HTTP status → google.rpc.Code, following the "HTTP Mapping" notes of code.proto. The codes it
 * leaves open: 413 is RESOURCE_EXHAUSTED (what gRPC answers for a message over the size limit),
 * 415 is INVALID_ARGUMENT (the request, not the server, is at fault). Anything else: by class.
 */
const BY_HTTP: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  413: "RESOURCE_EXHAUSTED",
  415: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function rpcCode(httpStatus: number): number {
  const name = BY_HTTP[httpStatus] ?? (httpStatus < 500 ? "FAILED_PRECONDITION" : "INTERNAL");
  return Code[name]!;
}

export interface RpcStatus {
  code: number;
  message: string;
}

export function encodeStatus(status: RpcStatus): Uint8Array {
  return Status.encode(Status.create(status)).finish();
}

/** For tests and clients: a Status body back to its fields (details as google.protobuf.Any). */
export function decodeStatus(body: Uint8Array): RpcStatus & { details: unknown[] } {
  return Status.toObject(Status.decode(body), { defaults: true }) as RpcStatus & { details: unknown[] };
}
