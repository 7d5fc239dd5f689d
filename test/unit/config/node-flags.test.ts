import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '../../../src/config/node-flags';

const ROOT = join(__dirname, '../../..');

// The flags live in one module; these places cannot import it, so they are held to it here (the
// Kubernetes Deployment is checked in test/integration/k8s-manifests.test.ts).
describe('SERVICE_NODE_FLAGS', () => {
  it('are V8 flags Node accepts in NODE_OPTIONS', () => {
    expect(SERVICE_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const f of SERVICE_NODE_FLAGS) expect(process.allowedNodeEnvironmentFlags.has(f.split('=')[0] as string)).toBe(true);
  });

  it('are what `npm start` runs the service with', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
    // `exec`: the shell npm runs the script in becomes node, so npm's SIGTERM reaches the service.
    expect(pkg.scripts.start).toBe(`exec node ${SERVICE_NODE_FLAGS.join(' ')} dist/src/cli/fraudctl.js serve`);
  });

  it("are the image's NODE_OPTIONS", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(/NODE_OPTIONS=(\S+)/.exec(dockerfile)?.[1]).toBe(SERVICE_NODE_FLAGS.join(' '));
  });
});
