// Monaco's editor features are plain side-effect modules without their own declarations.
declare module 'monaco-editor/editor/contrib/*';
