import fs from 'node:fs';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { openMetadataInWorker, defaultCacheDir, certificatesFromPem, interpretStatus, readDraftStatement, withDraftStatements, blobMetadata, HarnessError, type MetadataBlob, type MetadataEntry, type MetadataProvider } from '../../../conformance/src/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metadata: MetadataService;
  }
}

/** What the page may show about an authenticator model. */
export interface AuthenticatorSummary {
  name: string;
  icon?: string;
  status?: string;
  statusDate?: string;
  certified: boolean;
  compromised: boolean;
}

// Only raster images: an SVG data URI can carry script, and anything else is not an icon.
const SAFE_ICON = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
const MAX_ICON = 64 * 1024;

export function safeIcon(icon: unknown): string | undefined {
  return typeof icon === 'string' && icon.length <= MAX_ICON && SAFE_ICON.test(icon) ? icon : undefined;
}

/**
 * MDS for the server: loaded once, in the background after start (never on a request's
 * path); until then, and when none is configured or cached, registrations are analysed
 * without metadata and the page shows no names.
 */
export class MetadataService {
  state: 'none' | 'loading' | 'loaded' | 'error' = 'none';
  note = 'no MDS BLOB configured or cached (fido2-harness mds update, or --mds <file|url>)';
  private blob?: MetadataProvider;
  private drafts: MetadataEntry[] = [];
  private merged?: MetadataProvider;

  /** the BLOB, with the vendor's draft statements in front of it */
  current(): MetadataProvider | undefined {
    return this.merged;
  }

  use(blob: MetadataBlob | MetadataProvider, note: string) {
    this.blob = typeof blob.byAaguid === 'function' ? (blob as MetadataProvider) : blobMetadata(blob as MetadataBlob);
    this.state = 'loaded';
    this.note = note;
    this.merged = withDraftStatements(this.blob, this.drafts);
  }

  useDrafts(drafts: MetadataEntry[]) {
    this.drafts = drafts;
    this.merged = withDraftStatements(this.blob, this.drafts);
  }

  draftNote(): string | undefined {
    return this.drafts.length ? `draft statement(s) for ${this.drafts.map((d) => d.aaguid).join(', ')}` : undefined;
  }

  summary(aaguid: string, at: Date): AuthenticatorSummary | undefined {
    const e: MetadataEntry | undefined = this.merged?.byAaguid(aaguid);
    if (!e) return undefined;
    const st = interpretStatus(e, at);
    return {
      name: String(e.metadataStatement?.description ?? aaguid),
      icon: safeIcon(e.metadataStatement?.icon),
      status: (st.compromised ?? st.decisive)?.status ?? (e.draftFrom ? 'draft statement, not in MDS' : undefined),
      statusDate: (st.compromised ?? st.decisive)?.effectiveDate,
      certified: st.certified,
      compromised: !!st.compromised,
    };
  }
}

export const metadataPlugin = fp(
  async (app: FastifyInstance, opts: { metadata?: MetadataBlob | MetadataProvider; notify?: (line: string) => void }) => {
    const notify = opts.notify ?? ((line: string) => app.log.warn(line));
    const svc = new MetadataService();
    app.decorate('metadata', svc);
    // drafts are read at start, so a bad file stops the start with its reason
    svc.useDrafts((app.config.statements ?? []).map((f) => {
      let text: string;
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch (e) {
        throw new HarnessError('BAD_CONFIG', `cannot read statement ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      return readDraftStatement(text, f);
    }));
    if (opts.metadata) {
      svc.use(opts.metadata, `${'no' in opts.metadata ? `BLOB no ${opts.metadata.no}` : opts.metadata.description} given at start`);
      return;
    }
    const { mds, mdsRoot, mdsCacheDir } = app.config;
    // files given at start are checked at start: a missing --mds file stops the start (exit 2), not a log line later
    if (mds && !/^https?:\/\//i.test(mds)) {
      try {
        if (!fs.statSync(mds).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      } catch (e) {
        throw new HarnessError('BAD_CONFIG', `cannot read the MDS BLOB ${mds}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (give a BLOB file, an https:// URL, or leave --mds out to use the cached official one)`);
      }
    }
    let rootsPem: string | undefined;
    if (mdsRoot) {
      let roots: ReturnType<typeof certificatesFromPem>;
      try {
        rootsPem = fs.readFileSync(mdsRoot, 'utf8');
        roots = certificatesFromPem(rootsPem);
      } catch (e) {
        throw new HarnessError('BAD_CONFIG', `cannot read the MDS root ${mdsRoot}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      if (!roots.length) throw new HarnessError('BAD_CONFIG', `${mdsRoot} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    }
    const cacheDir = mdsCacheDir ?? defaultCacheDir();
    if (!mds && !fs.existsSync(cacheDir)) return;
    let load: ReturnType<typeof openMetadataInWorker> | undefined;
    // a server closed while the BLOB loads ends the worker with it
    app.addHook('onClose', async () => load?.stop());
    app.addHook('onReady', async () => {
      svc.state = 'loading';
      svc.note = 'loading the MDS BLOB';
      // not awaited, and in a worker thread: the server answers while the BLOB is read, verified
      // and indexed; only the finished index and the payload's bytes come back
      load = openMetadataInWorker({ spec: mds, cacheDir, rootsPem });
      void load.done
        .then((m) => {
          svc.use(m.metadata, `${m.note}; BLOB no ${m.blob.no}, nextUpdate ${m.blob.nextUpdate}`);
          app.log.info(`MDS: ${svc.note}`);
        })
        .catch((e: Error) => {
          svc.state = mds ? 'error' : 'none';
          // never left saying "loading": what happened, and how to load metadata
          svc.note = mds ? `MDS BLOB not loaded: ${e.message}` : `no metadata loaded: the cached official BLOB could not be used (${e.message}); run "fido2-harness mds update", or start with --mds <file|url>`;
          if (mds) notify(svc.note);
        });
    });
  },
  { name: 'metadata', dependencies: ['config'] },
);
