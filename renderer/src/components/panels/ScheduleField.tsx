// The pipeline's schedule (settings.schedule, run by `sluice schedule`): a cron expression, what to do with runs
// missed while the scheduler was stopped, and the next run time, computed here as the scheduler will.
import { useEffect, useState, type ReactElement } from 'react';
import { Cron } from 'croner';
import { useDesigner } from '../../store';

type Missed = 'skip' | 'catch-up';

/** The next run of an expression, or why there is none (an invalid expression says what is wrong). */
export function nextRun(cron: string, timezone: string | undefined, now: Date): { next: Date | null } | { error: string } {
  try {
    return { next: new Cron(cron, { paused: true, ...(timezone ? { timezone } : {}) }).nextRun(now) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export function ScheduleField(): ReactElement {
  const schedule = useDesigner((s) => s.meta.settings?.schedule);
  const settings = useDesigner((s) => s.meta.settings);
  const setMeta = useDesigner((s) => s.setMeta);
  const [text, setText] = useState(schedule?.cron ?? '');
  // The next run moves on as time passes: recomputed each minute.
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(t);
  }, []);
  const missed: Missed = schedule?.missed ?? 'skip';
  const save = (cron: string, m: Missed) => {
    const rest = { ...settings };
    delete rest.schedule;
    const next = cron.trim() === '' ? rest : { ...rest, schedule: { ...schedule, cron: cron.trim(), missed: m } };
    setMeta({ settings: Object.keys(next).length === 0 ? undefined : next });
  };
  const check = text.trim() === '' ? undefined : nextRun(text.trim(), schedule?.timezone, now);
  return (
    <div className="field" data-testid="schedule-field">
      <label className="field__label" htmlFor="pipeline-schedule">
        Schedule
      </label>
      <input
        id="pipeline-schedule"
        className="input input--mono"
        value={text}
        placeholder="cron, e.g. */15 * * * *"
        spellCheck={false}
        aria-invalid={(check && 'error' in check) || undefined}
        aria-describedby="pipeline-schedule-note"
        onChange={(e) => {
          setText(e.target.value);
          const c = e.target.value.trim();
          if (c === '' || !('error' in nextRun(c, schedule?.timezone, new Date()))) save(c, missed);
        }}
        data-testid="schedule-cron"
      />
      {check && 'error' in check ? (
        <ul className="field__errors" id="pipeline-schedule-note" role="alert">
          <li>not a cron expression: {check.error}; the saved schedule is unchanged</li>
        </ul>
      ) : (
        <p className="field__help" id="pipeline-schedule-note" data-testid="schedule-next">
          {check === undefined
            ? 'Not scheduled. `sluice schedule FOLDER` runs pipelines that have a schedule.'
            : check.next
              ? `Next run ${check.next.toLocaleString()} (${relative(check.next, now)}), when \`sluice schedule\` runs this folder.`
              : 'This expression never fires again.'}
        </p>
      )}
      {schedule && (
        <select
          className="input select"
          aria-label="Missed runs"
          value={missed}
          onChange={(e) => save(schedule.cron, e.target.value as Missed)}
          data-testid="schedule-missed"
        >
          <option value="skip">Missed runs: run once for all of them</option>
          <option value="catch-up">Missed runs: catch up one by one</option>
        </select>
      )}
    </div>
  );
}

function relative(t: Date, now: Date): string {
  const min = Math.round((t.getTime() - now.getTime()) / 60_000);
  if (min < 1) return 'in less than a minute';
  if (min < 90) return `in ${min} min`;
  const h = Math.round(min / 60);
  return h < 48 ? `in ${h} h` : `in ${Math.round(h / 24)} days`;
}
