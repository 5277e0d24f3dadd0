// Start GOV.UK Frontend's components, and start them again inside anything htmx swaps in.
import { initAll } from '../govuk/govuk-frontend.min.js'

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
