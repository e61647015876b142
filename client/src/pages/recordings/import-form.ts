// The recordings page's import form: a csv file from another app (Sensor Logger's
// TotalAcceleration.csv, phyphox's acceleration export) or the project's own csv, sent to
// POST /api/recordings/import; the server reads it and keeps it as a recording. The format is
// guessed from the file name and first line, and can be changed before sending.
import { HttpError } from '../../net/http.js';
import { errorMessage, requireElement } from '../../shared/dom.js';
import { importRecording, type ImportFormat, type ImportReply } from './recordings-api.js';

export interface ImportFormHandlers {
  onImported(reply: ImportReply): void;
  onError(message: string): void;
}

/** The format a file most likely is, from its name and header line. */
export function guessImportFormat(name: string, headerLine: string): ImportFormat | undefined {
  const head = headerLine.toLowerCase();
  if (/^(totalacceleration|accelerometer)\.csv$/i.test(name) || /^"?time"?,"?seconds_elapsed"?/.test(head)) return 'sensor-logger';
  if (head.includes('time (s)') && head.includes('acceleration')) return 'phyphox';
  if (head.startsWith('timestamp_ms')) return 'csv';
  return undefined;
}

export function mountImportForm(form: HTMLFormElement, handlers: ImportFormHandlers): void {
  const file = requireElement<HTMLInputElement>('input[type=file]', form);
  const format = requireElement<HTMLSelectElement>('select[name=format]', form);
  const units = requireElement<HTMLSelectElement>('select[name=units]', form);
  const submit = requireElement<HTMLButtonElement>('button[type=submit]', form);
  const unitsRow = units.closest('label') ?? units;
  const showUnits = () => unitsRow.classList.toggle('hidden', format.value !== 'csv');
  format.addEventListener('change', showUnits);
  showUnits();
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    // An unreadable file only means no guess (the import itself reports the error); never a rejection nobody handles.
    const first =
      (
        await chosen
          .slice(0, 400)
          .text()
          .catch(() => '')
      ).split(/\r?\n/, 1)[0] ?? '';
    const guessed = guessImportFormat(chosen.name, first);
    if (guessed) format.value = guessed;
    showUnits();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return handlers.onError('Choose a csv file to import first.');
    submit.setAttribute('aria-disabled', 'true');
    submit.disabled = true;
    try {
      handlers.onImported(await importRecording(chosen, format.value as ImportFormat, units.value === 'm/s2' ? 'm/s2' : undefined));
      form.reset();
      showUnits();
    } catch (err) {
      handlers.onError(`Could not import ${chosen.name}: ${err instanceof HttpError ? err.serverMessage : errorMessage(err)}`);
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-disabled');
    }
  });
}
