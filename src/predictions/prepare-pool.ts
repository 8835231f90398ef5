import { poolsBySize, ThreadPool } from "../lib/thread-pool.ts";
import { type PieceInput, type PieceOutput, preparePiece } from "./prepare.ts";

/**
 * Runs preparePiece (parse, validate, contract check, COPY text: the CPU of a prediction ingest) on
 * worker threads (src/lib/thread-pool.ts), so the event loop only splits the body and talks to the
 * database.
 */
export class PreparePiecePool extends ThreadPool<PieceInput, PieceOutput> {
  constructor(size: number) {
    super(size, {
      name: "prediction prepare thread",
      entry: new URL("./prepare-thread.mjs", import.meta.url),
      inline: preparePiece,
      // A piece allocates a few megabytes (parsed rows, validated copies, COPY text).
      youngGenerationMb: 64,
    });
  }
}

const piecePools = poolsBySize((size) => new PreparePiecePool(size));

/** The process's pool of this size (two threads unless said). */
export const sharedPiecePool = (size = 2) => piecePools(size);
