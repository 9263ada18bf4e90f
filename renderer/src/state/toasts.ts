// Short-lived notices: a refused connection, an import that failed, a file that was exported.
import { create } from 'zustand';

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'error';
  title: string;
  detail?: string;
}

interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, 'id'>): void;
  dismiss(id: number): void;
}

let nextId = 1;
/** Errors stay longer: they usually need reading. */
const LIFETIME_MS = { info: 4000, success: 4000, error: 9000 } as const;
const MAX_VISIBLE = 4;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push: (t) => {
    const id = nextId++;
    // The same message twice in a row (a user retrying a refused drop) replaces the first instead of stacking.
    const rest = get().toasts.filter((x) => !(x.title === t.title && x.detail === t.detail));
    set({ toasts: [...rest, { ...t, id }].slice(-MAX_VISIBLE) });
    setTimeout(() => get().dismiss(id), LIFETIME_MS[t.tone]);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));

export function notify(t: Omit<Toast, 'id'>): void {
  useToasts.getState().push(t);
}
