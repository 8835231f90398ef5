import { serveThread } from "../lib/thread-pool.ts";
import { preparePiece } from "./prepare.ts";

/** A prediction prepare thread (prepare-pool.ts). */
serveThread(preparePiece);
