// The page of test/browser/react.test.ts: a React app in StrictMode (a development build, so
// effects run twice on mount) showing live events from useEventSource. Bundled by esbuild with
// `streamsource/react` resolved to the built dist/react.js.
import {StrictMode, useState, version} from 'react'
import {createRoot} from 'react-dom/client'
import {useEventSource} from 'streamsource/react'

function Live() {
  const [received, setReceived] = useState([])
  const {status, message, error, close, reconnect} = useEventSource('/events', {
    events: ['tick'],
    parse: JSON.parse,
    // Every event, even those of a burst that arrives between two renders.
    onMessage: (tick) => setReceived((list) => [...list, tick.data.n]),
  })
  return (
    <main>
      <p id="status">{status}</p>
      <p id="last">{message === undefined ? '-' : `${message.data.n} (id ${message.lastEventId})`}</p>
      <p id="error">{error?.message ?? ''}</p>
      <button id="close" onClick={close}>
        Close
      </button>
      <button id="reconnect" onClick={reconnect}>
        Reconnect
      </button>
      <ol id="log">
        {received.map((n, index) => (
          <li key={index}>{n}</li>
        ))}
      </ol>
    </main>
  )
}

const root = document.getElementById('root')
// Which React the bundle holds: the test runs this app on each supported major.
root.setAttribute('data-react', version)
createRoot(root).render(
  <StrictMode>
    <Live />
  </StrictMode>,
)
