// Start GOV.UK Frontend's components, and start them again inside anything htmx swaps in.
import { initAll } from '../govuk/govuk-frontend.min.js'

// GOV.UK Frontend marks a radio or checkbox that reveals a question with aria-expanded, which ARIA does not allow on
// those roles (WCAG 4.1.2; axe aria-allowed-attr; alphagov/govuk-frontend#979). The question it reveals comes
// straight after it, so the attribute is taken off whenever the components set it.
const revealing = '.govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]'
new MutationObserver(function (records) {
  for (const record of records) {
    if (record.target.matches(revealing) && record.target.hasAttribute('aria-expanded')) {
      record.target.removeAttribute('aria-expanded')
    }
  }
}).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-expanded'] })

initAll()

document.addEventListener('htmx:load', function (event) {
  const element = event.detail.elt
  if (element instanceof HTMLElement && element !== document.body) {
    initAll({ scope: element })
  }
})

// Staff pages: warn two minutes before the idle sign-out, and let "Stay signed in" reset the timer.
const idleSeconds = Number(document.querySelector('meta[name="staff-idle-seconds"]')?.content || 0)
const warning = document.getElementById('idle-warning')
if (idleSeconds > 120 && warning && typeof warning.showModal === 'function') {
  let timer
  const arm = function () {
    clearTimeout(timer)
    timer = setTimeout(function () { warning.showModal() }, (idleSeconds - 120) * 1000)
  }
  warning.querySelector('[data-keep-alive]').addEventListener('click', function () {
    const url = document.querySelector('meta[name="staff-keep-alive"]').content
    const token = document.querySelector('meta[name="csrf-token"]').content
    fetch(url, { method: 'POST', headers: { 'X-CSRFToken': token }, credentials: 'same-origin' })
      .then(function () { warning.close(); arm() })
  })
  arm()
}
