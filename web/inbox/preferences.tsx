import { DIGEST_FREQUENCIES, isApiError, NOTIFICATION_TYPES, type NotificationPreferences, type NotificationType } from '@herald/client';
import { useNotificationPreferences, useUpdateNotificationPreferences } from '@herald/client/react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { labelOf } from './labels.js';
import { describeInvalid, problemOf } from './problems.js';

type QuietHours = NotificationPreferences['quietHours'];
type Draft = Pick<NotificationPreferences, 'enabledTypes' | 'digestFrequency' | 'emailEnabled' | 'timezone' | 'quietHours'>;

const DEFAULT_QUIET = { start: '22:00', end: '07:00' };

function draftOf(saved: NotificationPreferences): Draft {
  const { enabledTypes, digestFrequency, emailEnabled, timezone, quietHours: quiet } = saved;
  // The time inputs speak HH:MM; a time with seconds would not show in them.
  const quietHours = quiet && { start: quiet.start.slice(0, 5), end: quiet.end.slice(0, 5) };
  return { enabledTypes, digestFrequency, emailEnabled, timezone, quietHours };
}

/** Quiet hours: off, or from/until (the window may cross midnight). */
function QuietHoursFields({ value, onChange }: { value: QuietHours; onChange: (next: QuietHours) => void }) {
  // What was chosen before switching off, so switching on again brings it back.
  const [last, setLast] = useState(value ?? DEFAULT_QUIET);
  const on = value !== null;
  const set = (patch: Partial<typeof last>) => {
    const next = { ...last, ...patch };
    setLast(next);
    onChange(next);
  };
  return (
    <fieldset>
      <legend>Quiet hours</legend>
      <label className="check">
        <input type="checkbox" id="quiet-enabled" checked={on} onChange={(e) => onChange(e.target.checked ? last : null)} />
        Hold emails during quiet hours
      </label>
      <div className="times">
        <label>From <input type="time" id="quiet-start" required={on} disabled={!on} value={value?.start ?? last.start} onChange={(e) => set({ start: e.target.value })} /></label>
        <label>Until <input type="time" id="quiet-end" required={on} disabled={!on} value={value?.end ?? last.end} onChange={(e) => set({ end: e.target.value })} /></label>
      </div>
      <p className="hint muted">In your time zone below; may cross midnight (22:00 to 07:00). Emails due then wait until they end (urgent ones do not); the inbox keeps updating.</p>
    </fieldset>
  );
}

function timeZones(current: string): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', current, ...zones])];
}

/** Types, digest frequency, quiet hours, time zone and the email switch, saved in one PATCH. */
export function Preferences() {
  const preferences = useNotificationPreferences();
  const update = useUpdateNotificationPreferences();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const saved = preferences.data?.data;
  useEffect(() => {
    if (saved && !draft) setDraft(draftOf(saved));
  }, [saved, draft]);
  const zones = useMemo(() => timeZones(draft?.timezone ?? 'UTC'), [draft?.timezone]);

  function toggle(type: NotificationType, on: boolean) {
    setDraft((d) => d && { ...d, enabledTypes: on ? [...d.enabledTypes, type] : d.enabledTypes.filter((t) => t !== type) });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setResult(null);
    if (draft.quietHours && draft.quietHours.start === draft.quietHours.end) {
      setResult({ ok: false, text: 'Your preferences were not saved: quiet hours must end at another time than they start (to have none, switch them off).' });
      return;
    }
    try {
      const { data } = await update.mutateAsync(draft);
      setDraft(draftOf(data));
      setResult({ ok: true, text: 'Preferences saved.' });
    } catch (error) {
      const text = isApiError(error) && error.kind === 'invalid' ? describeInvalid(error) : problemOf(error).message;
      setResult({ ok: false, text: `Your preferences were not saved: ${text}` });
    }
  }

  return (
    <section className="card" aria-labelledby="preferences-title">
      <h2 id="preferences-title">Preferences</h2>
      {!draft ? <p className="muted" role="status">{preferences.isError ? 'Preferences could not be loaded.' : 'Loading preferences…'}</p> : (
        <form className="stack" onSubmit={(e) => void submit(e)}>
          <fieldset>
            <legend>Notify me about</legend>
            <div className="checks">
              {NOTIFICATION_TYPES.map((type) => (
                <label key={type} className="check">
                  <input type="checkbox" name="enabledTypes" value={type} checked={draft.enabledTypes.includes(type)} onChange={(e) => toggle(type, e.target.checked)} />
                  {labelOf(type)}
                </label>
              ))}
            </div>
          </fieldset>
          <label className="check">
            <input type="checkbox" id="email-enabled" checked={draft.emailEnabled} onChange={(e) => setDraft({ ...draft, emailEnabled: e.target.checked })} />
            Email notifications
          </label>
          <label htmlFor="digest-frequency">Email frequency</label>
          <select id="digest-frequency" value={draft.digestFrequency} onChange={(e) => setDraft({ ...draft, digestFrequency: e.target.value as Draft['digestFrequency'] })}>
            {DIGEST_FREQUENCIES.map((f) => <option key={f} value={f}>{labelOf(f)}</option>)}
          </select>
          <QuietHoursFields value={draft.quietHours} onChange={(quietHours) => setDraft({ ...draft, quietHours })} />
          <label htmlFor="timezone">Time zone (for digests at 9 AM)</label>
          <select id="timezone" value={draft.timezone} onChange={(e) => setDraft({ ...draft, timezone: e.target.value })}>
            {zones.map((z) => <option key={z} value={z}>{z}</option>)}
          </select>
          <p className="form-result ok" role="status" id="preferences-saved">{result?.ok ? result.text : ''}</p>
          <p className="form-result error" role="alert" id="preferences-error">{result && !result.ok ? result.text : ''}</p>
          <button type="submit" disabled={update.isPending}>{update.isPending ? 'Saving…' : 'Save preferences'}</button>
        </form>
      )}
    </section>
  );
}
