/**
 * @module bench/lib/bare-server
 * The child process of the transport floor (http-floor.ts): a bare node:http server on loopback
 * that reads each request's body and answers `202` with a small JSON body, as the sender API
 * answers a letter, and does nothing else. Sends its port over IPC when listening.
 */
import { createServer } from 'node:http'

const server = createServer((req, res) => {
  req.resume()
  req.once('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' })
    res.end('{"letterId":"0190f6a2-0000-7000-8000-000000000000","duplicate":false}')
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
})
process.on('disconnect', () => process.exit(0))
