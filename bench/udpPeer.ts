import dgram from 'node:dgram';
import { softkeyFromOptions } from '../conformance/src/cli/softkeyCommand.ts';
import { serveUdpDevice } from '../conformance/src/ctap/transport/UdpDeviceEndpoint.ts';

/**
 * The far side of the CTAP bench, in a process of its own: a raw UDP echo (the floor: one
 * datagram there and back on the same loopback) and the software key served over UDP exactly
 * as `softkey --udp` serves it. Prints the two ports; exits when stdin closes.
 */
const echo = dgram.createSocket('udp4');
await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
echo.on('message', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
// the person touches at once: the pair figure measures the device and the transport, not a reaction time
const { key } = await softkeyFromOptions({ touch: 'instant' });
const device = await serveUdpDevice(key.server, { host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ echoPort: echo.address().port, devicePort: device.port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
