// One loaded model, as /api/health reports it. Each service (HAR, images, text) reports its own.
export interface ModelStatus {
  name: string;
  loaded: boolean;
  /** False when serving an untrained stand-in (predictions are meaningless). */
  trained: boolean;
  /** Where it was loaded from, relative to the repository when possible. */
  source?: string;
  /** Why it is not loaded (missing or corrupt files). */
  error?: string;
  details?: Record<string, unknown>;
}
