// The console's only script: live regions refreshed on Server-Sent Events (polling while the stream
// is cut), copy buttons, file pickers that fill a textarea, and confirmations. Every page works
// without it; it only saves reloads.
/* global location, DOMParser, EventSource, HTMLInputElement, BroadcastChannel */
(function () {
  'use strict'
  const status = document.getElementById('live-status')
  const regions = () => Array.from(document.querySelectorAll('[data-live][id]'))
  // While the stream is cut, the regions are refreshed this often instead.
  const POLL_MS = 3000
  let refreshing = false
  let again = false
  let pollTimer = null

  function say (text, on) {
    if (status === null) return
    status.textContent = text
    status.className = 'live ' + (on ? 'on' : 'off')
  }

  // Fetches this page again and swaps in the regions that follow one of the topics.
  async function refresh (topics) {
    const wanted = regions().filter((r) => topics === null || r.dataset.live.split(' ').some((t) => topics.includes(t)))
    if (wanted.length === 0) return
    if (refreshing) { again = true; return }
    refreshing = true
    try {
      const response = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      if (!response.ok) return
      const doc = new DOMParser().parseFromString(await response.text(), 'text/html')
      for (const region of wanted) {
        const fresh = doc.getElementById(region.id)
        // A region the reader is typing in or has focus inside is left alone until next time.
        if (fresh === null || region.contains(document.activeElement)) continue
        if (fresh.innerHTML !== region.innerHTML) region.innerHTML = fresh.innerHTML
      }
    } catch (err) {
      // The next event or poll tries again.
    } finally {
      refreshing = false
      if (again) { again = false; refresh(null) }
    }
  }

  function poll (on) {
    if (on && pollTimer === null) pollTimer = setInterval(() => refresh(null), POLL_MS)
    if (!on && pollTimer !== null) { clearInterval(pollTimer); pollTimer = null }
  }

  // What a stream says, as the page acts on it: whether it is live, and which topics changed.
  function handle (message) {
    if (message.type === 'hello') { say('Live updates: on', true); poll(false); refresh(null) }
    if (message.type === 'change') refresh(message.topics)
    if (message.type === 'cut') { say('Live updates: reconnecting (polling every 3 s)', false); poll(true) }
  }

  // One stream, its messages given to `publish`; reopened when the server refused it outright
  // (EventSource retries by itself otherwise).
  function open (publish) {
    const source = new EventSource(new URL('events', document.baseURI))
    source.addEventListener('hello', () => publish({ type: 'hello' }))
    source.addEventListener('change', (event) => {
      let topics = null
      try { topics = JSON.parse(event.data).topics } catch (err) {}
      publish({ type: 'change', topics })
    })
    source.onerror = () => {
      publish({ type: 'cut' })
      if (source.readyState === EventSource.CLOSED) setTimeout(() => open(publish), POLL_MS)
    }
  }

  // One stream per browser, not per tab: a browser opens at most six connections to a server over
  // HTTP/1.1, so six console tabs each holding a stream would leave none for a page, a form or the
  // email link's new tab. The tab holding a Web Lock opens the stream and passes what it says to
  // the others over a BroadcastChannel; when it closes, the next tab waiting for the lock takes over.
  function connect () {
    // A page with nothing live (one email, one request) has no stream and no status to show.
    if (regions().length === 0) { if (status !== null) status.hidden = true; return }
    if (typeof EventSource === 'undefined') return
    const name = 'confident-mock live ' + new URL('events', document.baseURI).href
    if (typeof BroadcastChannel === 'undefined' || !navigator.locks) { open(handle); return }
    const channel = new BroadcastChannel(name)
    let last = null
    channel.onmessage = (event) => {
      // A tab that just opened asks how the stream is; the one holding it answers.
      if (event.data.type === 'ask') { if (last !== null) channel.postMessage(last); return }
      handle(event.data)
    }
    channel.postMessage({ type: 'ask' })
    navigator.locks.request(name, () => new Promise(() => {
      open((message) => {
        if (message.type !== 'change') last = message
        handle(message)
        channel.postMessage(message)
      })
    }))
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-copy]')
    if (button === null) return
    const source = document.getElementById(button.dataset.copy)
    if (source === null) return
    const text = source.value ?? source.textContent
    navigator.clipboard.writeText(text).then(
      () => { button.textContent = 'Copied' },
      () => { source.select?.(); button.textContent = 'Press Ctrl+C to copy' }
    )
  })

  document.addEventListener('submit', (event) => {
    const message = event.target.dataset.confirm
    if (message !== undefined && !window.confirm(message)) event.preventDefault()
  })

  document.addEventListener('change', (event) => {
    const input = event.target
    if (!(input instanceof HTMLInputElement) || input.type !== 'file' || input.dataset.fill === undefined) return
    const target = document.getElementById(input.dataset.fill)
    const file = input.files && input.files[0]
    if (target === null || !file) return
    file.text().then((text) => { target.value = text })
  })

  connect()
})()
