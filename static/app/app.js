// Start GOV.UK Frontend's components, and start them again inside anything htmx swaps in.
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()

document.addEventListener('htmx:load', function (event) {
  const element = event.detail.elt
  if (element instanceof HTMLElement && element !== document.body) {
    initAll({ scope: element })
  }
})
