import { describe, expect, it } from 'vitest';
import { clearDraft, draftToOffer, readDraft, writeDraft, type Draft } from './recovery';

class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  key(i: number): string | null {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
}

const draft = (at: number): Draft => ({ version: 1, at, text: '{"version":1}', savedText: '', origin: { fileName: 'a.json', baseDir: undefined }, name: 'A' });

describe('recovery drafts', () => {
  it('offers a draft written after the last save, and not one older than it', () => {
    const store = new MemoryStorage();
    expect(draftToOffer(store)).toBeUndefined();
    writeDraft(draft(2000), store);
    expect(draftToOffer(store)?.at).toBe(2000);
    clearDraft(store, 3000);
    expect(readDraft(store)).toBeUndefined();
    writeDraft(draft(2500), store);
    expect(draftToOffer(store)).toBeUndefined();
    writeDraft(draft(3500), store);
    expect(draftToOffer(store)?.at).toBe(3500);
  });

  it('ignores a damaged draft instead of failing the start', () => {
    const store = new MemoryStorage();
    store.setItem('sluice.draft', '{not json');
    expect(draftToOffer(store)).toBeUndefined();
    store.setItem('sluice.draft', JSON.stringify({ version: 1, at: 5 }));
    expect(draftToOffer(store)).toBeUndefined();
  });
});
