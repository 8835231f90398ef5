import { parentPort } from "node:worker_threads";
import { type PieceInput, preparePiece } from "./prepare.ts";

/** A prediction prepare thread (prepare-pool.ts): pieces in, prepared pieces or errors out. */
parentPort!.on("message", ({ id, input }: { id: number; input: PieceInput }) => {
  try {
    parentPort!.postMessage({ id, output: preparePiece(input) });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error)?.stack ?? String(error) });
  }
});
