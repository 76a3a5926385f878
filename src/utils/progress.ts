/**
 * A training progress bar: a live bar (cli-progress) on a terminal, plain lines otherwise (CI logs, pipes),
 * with the fields a training loop reports (epoch, loss, accuracy, samples/s).
 */
import cliProgress from 'cli-progress';
import { bool, count, custom, defineOptions, str } from '../tensor/options.js';

const PROGRESS_OPTIONS = defineOptions('Progress', {
  total: count,
  label: str.optional(),
  stream: custom<NodeJS.WriteStream>('a writable stream', (v) => typeof (v as { write?: unknown } | null)?.write === 'function').optional(),
  plain: bool.optional(),
  every: custom<number>('a positive integer', (v) => Number.isSafeInteger(v) && (v as number) > 0).optional(),
});

export interface ProgressOptions {
  /** Steps in one pass (e.g. batches per epoch). */
  total: number;
  /** Text before the bar, e.g. 'epoch 1/3'. */
  label?: string;
  /** Where to write (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Force plain lines (default: plain unless the stream is a TTY). */
  plain?: boolean;
  /** In plain mode, print a line every this many steps (default: about 10 lines per pass). */
  every?: number;
}

export type ProgressFields = Record<string, number | string>;

function fmtField(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4);
}

function fmtFields(f: ProgressFields): string {
  return Object.entries(f)
    .map(([k, v]) => `${k} ${fmtField(v)}`)
    .join(' | ');
}

export class Progress {
  private readonly bar: cliProgress.SingleBar | null;
  private readonly stream: NodeJS.WriteStream;
  private readonly every: number;
  private readonly started = performance.now();
  private value = 0;
  private fields: ProgressFields = {};

  constructor(private readonly opts: ProgressOptions) {
    PROGRESS_OPTIONS.parse(opts);
    this.stream = opts.stream ?? process.stderr;
    const plain = opts.plain ?? !this.stream.isTTY;
    this.every = opts.every ?? Math.max(1, Math.ceil(opts.total / 10));
    if (plain) this.bar = null;
    else {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `${opts.label ?? ''} |{bar}| {value}/{total} | {fields}`,
          hideCursor: true,
          clearOnComplete: false,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(opts.total, 0, { fields: '' });
    }
  }

  /** Move to step `value` (default: one more) and show the fields. */
  update(fields: ProgressFields = {}, value = this.value + 1): void {
    this.value = value;
    this.fields = { ...this.fields, ...fields };
    if (this.bar) this.bar.update(value, { fields: fmtFields(this.fields) });
    else if (value % this.every === 0 && value < this.opts.total) this.line();
  }

  /** Seconds since the bar started. */
  get elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** Finish the pass: the final line stays. */
  stop(fields: ProgressFields = {}): void {
    this.fields = { ...this.fields, ...fields };
    if (this.bar) {
      this.bar.update(this.value, { fields: fmtFields(this.fields) });
      this.bar.stop();
    } else this.line();
  }

  private line(): void {
    const label = this.opts.label ? `${this.opts.label} ` : '';
    this.stream.write(`${label}${this.value}/${this.opts.total} | ${fmtFields(this.fields)}\n`);
  }
}
