// Recorded in every run manifest, so a result can be traced to the engine that produced it.
export const ENGINE_VERSION = '0.1.0';
