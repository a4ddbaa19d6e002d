// Runs first in <body>, before anything is drawn: tells GOV.UK Frontend's styles that its
// scripts will run (a file, not an inline script, so the Content-Security-Policy can forbid those).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
