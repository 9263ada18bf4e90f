// Every keyboard shortcut of the designer, in one list: the help overlay shows it, and a test checks that
// each listed key does something.

/** Mac users read ⌘, everyone else Ctrl. */
export const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

export interface Shortcut {
  keys: string[];
  action: string;
}

export function shortcutList(mod: string = MOD): { group: string; items: Shortcut[] }[] {
  return [
    {
      group: 'Pipeline',
      items: [
        { keys: [`${mod} Enter`], action: 'Run the pipeline' },
        { keys: [`${mod} S`], action: 'Save the pipeline file' },
        { keys: [`${mod} Shift S`], action: 'Save the pipeline under a new name' },
        { keys: [`${mod} O`], action: 'Open a pipeline file' },
      ],
    },
    {
      group: 'Editing',
      items: [
        { keys: [`${mod} Z`], action: 'Undo' },
        { keys: [`${mod} Shift Z`, `${mod} Y`], action: 'Redo' },
        { keys: ['Delete', 'Backspace'], action: 'Delete the selected nodes and edges' },
        { keys: [`${mod} D`], action: 'Duplicate the selected nodes' },
        { keys: [`${mod} C`], action: 'Copy the selected nodes (with the edges between them)' },
        { keys: [`${mod} V`], action: 'Paste copied nodes, with fresh ids' },
        { keys: ['Shift L'], action: 'Auto-layout the graph, left to right' },
      ],
    },
    {
      group: 'Canvas and help',
      items: [
        { keys: ['Shift', 'drag'], action: 'Select several nodes with a box' },
        { keys: [`${mod} click`], action: 'Add a node to the selection' },
        { keys: ['/'], action: 'Search the node palette' },
        { keys: ['?'], action: 'Show these shortcuts' },
        { keys: ['Esc'], action: 'Close this overlay or a menu' },
      ],
    },
  ];
}
