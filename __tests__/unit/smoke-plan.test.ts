import { describe, expect, test } from '@jest/globals';
import { pushesFromBuilder } from '../../src/stages/image-plan.js';
import { containerState, exposedPorts, publishedPort, smokePollDelay, smokeRunArgs, smokeUrl } from '../../src/stages/smoke-plan.js';

describe('exposedPorts (docker image inspect .Config.ExposedPorts)', () => {
  test.each<[string, string, number[]]>([
    ['none: null', 'null', []],
    ['none: empty output', '', []],
    ['none: empty object', '{}', []],
    ['podman/docker without a value', '<no value>', []],
    ['one port', '{"8080/tcp":{}}', [8080]],
    ['several, lowest first', '{"9090/tcp":{},"80/tcp":{},"8080/tcp":{}}', [80, 8080, 9090]],
    ['udp is left out', '{"53/udp":{},"8080/tcp":{}}', [8080]],
    ['only udp', '{"53/udp":{}}', []],
    ['no protocol means tcp', '{"3000":{}}', [3000]],
    ['not JSON', 'template: no such field', []]
  ])('%s', (_name, output, ports) => {
    expect(exposedPorts(output).map((p) => p.port)).toEqual(ports);
  });
});

describe('publishedPort (docker port output)', () => {
  test.each<[string, string, number, number | undefined]>([
    ['IPv4 on all interfaces', '8080/tcp -> 0.0.0.0:32768\n', 8080, 32768],
    ['IPv4 loopback (podman)', '8080/tcp -> 127.0.0.1:40123', 8080, 40123],
    ['IPv4 and IPv6: IPv4 wins', '8080/tcp -> [::]:32769\n8080/tcp -> 0.0.0.0:32768\n', 8080, 32768],
    ['no address (podman with the host network)', '18473/tcp -> :39541', 18473, 39541],
    ['IPv6 only', '8080/tcp -> [::]:32769\n', 8080, 32769],
    ['IPv6 written without brackets', '8080/tcp -> :::32770', 8080, 32770],
    ['several ports: the one asked for', '80/tcp -> 0.0.0.0:32771\n8080/tcp -> 0.0.0.0:32772\n9090/tcp -> [::]:32773\n9090/tcp -> 0.0.0.0:32774', 8080, 32772],
    ['several ports: the last one', '80/tcp -> 0.0.0.0:32771\n9090/tcp -> [::]:32773\n9090/tcp -> 0.0.0.0:32774', 9090, 32774],
    ['a udp mapping of the same number is not it', '8080/udp -> 0.0.0.0:32775', 8080, undefined],
    ['not published', '', 8080, undefined],
    ['other port only', '80/tcp -> 0.0.0.0:32771', 8080, undefined],
    ['Windows line ends', '8080/tcp -> 0.0.0.0:32776\r\n', 8080, 32776]
  ])('%s', (_name, output, containerPort, expected) => {
    expect(publishedPort(output, containerPort)).toBe(expected);
  });
});

describe('containerState (docker inspect Status ExitCode)', () => {
  test.each<[string, boolean, number | undefined]>([
    ['running 0', true, undefined],
    ['created 0', true, undefined],
    ['exited 3', false, 3],
    ['exited 0\n', false, 0],
    ['dead 137', false, 137],
    ['', false, undefined]
  ])('%j', (output, running, exitCode) => {
    expect(containerState(output)).toMatchObject({ running, exitCode });
  });
});

describe('smoke run and probe', () => {
  test('docker run carries no environment, mount or Docker config: only the image', () => {
    expect(smokeRunArgs('127.0.0.1:5000/shop:sha-0123456')).toEqual(['run', '-d', '-P', '127.0.0.1:5000/shop:sha-0123456']);
  });
  test('the probe goes to loopback on the published port', () => {
    expect(smokeUrl(32768, '/health')).toBe('http://127.0.0.1:32768/health');
  });
  test.each([
    [0, 250],
    [1, 500],
    [2, 1000],
    [3, 2000],
    [10, 2000]
  ])('poll %i waits %i ms', (n, ms) => {
    expect(smokePollDelay(n)).toBe(ms);
  });
});

describe('pushesFromBuilder', () => {
  test.each<[string, 'buildx' | 'classic', boolean, boolean, boolean]>([
    ['buildx pushes itself', 'buildx', true, false, true],
    ['buildx with a smoke test loads, docker push follows', 'buildx', true, true, false],
    ['buildx without a push loads', 'buildx', false, false, false],
    ['classic never pushes from the builder', 'classic', true, false, false],
    ['classic with a smoke test', 'classic', true, true, false]
  ])('%s', (_name, builder, push, smoke, expected) => {
    expect(pushesFromBuilder(builder, push, smoke)).toBe(expected);
  });
});
