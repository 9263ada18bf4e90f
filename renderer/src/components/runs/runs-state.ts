// Whether the Runs view is open (the top bar's button and the view share it).
import { create } from 'zustand';

interface RunsViewState {
  open: boolean;
  setOpen(open: boolean): void;
}

export const useRunsView = create<RunsViewState>((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));
