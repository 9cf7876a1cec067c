// A versioned worker's workflowsPath: the workflows with their Worker Versioning behaviours (versioning.ts).
import './versioning';
export * from './index';
