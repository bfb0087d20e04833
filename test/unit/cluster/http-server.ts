// A real HTTP server on 127.0.0.1, for what MockAgent cannot show: a body sent in chunks over time,
// a header repeated on the wire, and whether the client closed its connection or reused it.
import { once } from 'node:events'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Respond = (req: IncomingMessage, res: ServerResponse) => void

export interface TestServer {
  url: string
  /** Connections accepted so far: 1 after several requests means the connection was reused. */
  readonly accepted: number
  /** Resolves once every connection is closed (the client let go of it); never otherwise. */
  allClosed(): Promise<void>
  close(): Promise<void>
}

/** Starts a server answering every request with `respond`. */
export async function startServer(respond: Respond): Promise<TestServer> {
  const server = createServer(respond)
  const sockets = new Set<Socket>()
  let accepted = 0
  server.on('connection', socket => {
    accepted += 1
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted
    },
    allClosed: () => allClosed(sockets),
    close: () => stop(server)
  }
}

async function allClosed(sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) {
    if (!socket.closed) await once(socket, 'close')
  }
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections()
  server.close()
  await once(server, 'close')
}
