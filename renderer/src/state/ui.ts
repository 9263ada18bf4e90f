// View state of the panels around the canvas; none of it is part of the pipeline document.
import { create } from 'zustand';

export type BottomTab = 'preview' | 'profile' | 'quarantine' | 'run' | 'tests';

interface UiState {
  bottomTab: BottomTab;
  /** Height of the bottom panel in pixels while open. */
  panelHeight: number;
  panelOpen: boolean;
  /** Bumped to ask the canvas to fit the graph into view (after an auto-layout). */
  fitRequest: number;
  /** The keyboard shortcuts overlay. */
  helpOpen: boolean;
  requestFit(): void;
  setHelpOpen(open: boolean): void;
  setBottomTab(tab: BottomTab): void;
  setPanelHeight(px: number): void;
  setPanelOpen(open: boolean): void;
}

export const PANEL_MIN = 160;
export const PANEL_DEFAULT = 300;

export const useUi = create<UiState>()((set) => ({
  bottomTab: 'preview',
  panelHeight: PANEL_DEFAULT,
  panelOpen: true,
  fitRequest: 0,
  helpOpen: false,
  requestFit: () => set((s) => ({ fitRequest: s.fitRequest + 1 })),
  setHelpOpen: (helpOpen) => set({ helpOpen }),
  setBottomTab: (bottomTab) => set({ bottomTab, panelOpen: true }),
  setPanelHeight: (px) => set({ panelHeight: Math.max(PANEL_MIN, Math.round(px)) }),
  setPanelOpen: (panelOpen) => set({ panelOpen }),
}));
