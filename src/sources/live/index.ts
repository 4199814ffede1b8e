export {
  openCheckpointStore,
  CHECKPOINT_SCHEMA_KEY,
  type Checkpoint,
  type CheckpointStore,
} from './checkpoint-store.js';
export { createFolderSource, DONE, type FolderSourceOptions } from './folder-source.js';
export {
  createDemoSource,
  STORY_KEY,
  type DemoSource,
  type DemoSourceOptions,
  type DemoSourceStats,
} from './demo-source.js';
export { builtinDemoDir, loadStory } from './demo-story.js';
export { replayEventId, REPLAY_FIELD, type ReplayOrigin } from './replay.js';
export {
  realTimers,
  type LiveSource,
  type LiveSourceDeps,
  type LiveSourceStats,
  type RecordBatch,
  type Timers,
} from './types.js';
