// Loads the React page's app, which the demo server bundles on request. When it cannot (esbuild
// missing, dist/ not built, a syntax error in demo/react-app.jsx), the server's message shows on
// the page instead of a page that stays empty.
try {
  await import('/react-app.js')
} catch (error) {
  const loading = /** @type {HTMLElement} */ (document.getElementById('loading'))
  let detail = error instanceof Error ? error.message : String(error)
  try {
    const response = await fetch('/react-app.js', {cache: 'no-store'})
    if (!response.ok) detail = await response.text()
  } catch {}
  document.documentElement.dataset['state'] = 'closed'
  loading.classList.add('load-error')
  loading.textContent = `The React app could not be loaded.\n\n${detail}`
}
