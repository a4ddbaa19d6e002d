// Start GOV.UK Frontend's components, and add "Copy" buttons to commands worth copying.
// Every page works without this file: it only adds conveniences.
import { initAll } from '/assets/govuk-frontend.min.js'

initAll()

for (const block of document.querySelectorAll('[data-copy]')) {
  if (!navigator.clipboard) break
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0 cmsreg-copy'
  button.textContent = 'Copy'
  button.setAttribute('aria-label', 'Copy ' + block.getAttribute('data-copy'))
  const status = document.createElement('span')
  status.className = 'govuk-visually-hidden'
  status.setAttribute('aria-live', 'polite')
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(block.querySelector('code').textContent)
    status.textContent = 'Copied'
  })
  block.append(button, status)
}
