/*
 * Switchboard chat widget: the one-line embed.
 *
 *   <script src="https://chat.example.com/embed.js" data-site-key="sk_..." data-position="right"
 *           data-color="#0284c7" data-lang="zh-TW" data-greeting="您好！"></script>
 *
 * `data-site-key` is the tenant's public site key (from its admin's tenant page): it decides
 * whose chat this is.
 *
 * Adds a floating button that opens the widget (/widget on the script's own origin) in an
 * iframe. Plain JavaScript, no build step, no globals but `window.SwitchboardWidget`:
 *
 *   SwitchboardWidget.open() / .close() / .toggle()
 *   SwitchboardWidget.unread            the number of messages that arrived while closed
 *   window.addEventListener('switchboard:unread', (e) => e.detail.count)
 *   window.addEventListener('switchboard:ready' | 'switchboard:open' | 'switchboard:close', ...)
 *
 * postMessage between this page and the iframe: {source: 'switchboard-widget', type, ...}.
 * Sent only to the widget's origin; accepted only from the iframe's window with that origin.
 * The widget page itself refuses to be framed by origins outside WIDGET_EMBED_ORIGINS.
 */
(function () {
  'use strict'
  if (window.SwitchboardWidget) return
  var script = document.currentScript
  if (!script || !script.src) return
  var origin = new URL(script.src, location.href).origin
  var data = script.dataset || {}
  var position = data.position === 'left' ? 'left' : 'right'
  var color = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(data.color || '') ? data.color : '#0284c7'
  var SOURCE = 'switchboard-widget'

  var params = new URLSearchParams()
  params.set('host', location.origin)
  params.set('color', color)
  if (data.siteKey) params.set('site_key', data.siteKey)
  if (data.lang) params.set('lang', data.lang)
  if (data.greeting) params.set('greeting', data.greeting)

  var isOpen = false
  var ready = false
  var unread = 0
  var queued = []

  var button = document.createElement('button')
  button.type = 'button'
  button.setAttribute('aria-label', 'Chat')
  button.setAttribute('data-switchboard', 'launcher')
  button.style.cssText =
    'position:fixed;bottom:20px;' + position + ':20px;z-index:2147483000;width:56px;height:56px;' +
    'border:0;border-radius:50%;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);color:#fff;' +
    'display:flex;align-items:center;justify-content:center;background:' + color
  button.innerHTML =
    '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ' +
    'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>'

  var badge = document.createElement('span')
  badge.setAttribute('data-switchboard', 'unread')
  badge.style.cssText =
    'position:absolute;top:-4px;' + (position === 'right' ? 'left' : 'right') + ':-4px;min-width:20px;height:20px;' +
    'padding:0 5px;border-radius:10px;background:#dc2626;color:#fff;font:600 12px/20px system-ui,sans-serif;' +
    'text-align:center;display:none'
  button.appendChild(badge)

  var frame = document.createElement('iframe')
  frame.src = origin + '/widget?' + params.toString()
  frame.title = 'Chat'
  frame.setAttribute('data-switchboard', 'frame')
  frame.setAttribute('allow', 'clipboard-write')
  frame.style.cssText =
    'position:fixed;bottom:88px;' + position + ':20px;z-index:2147483000;width:380px;height:600px;' +
    'max-width:calc(100vw - 24px);max-height:calc(100vh - 108px);border:0;border-radius:16px;' +
    'box-shadow:0 8px 30px rgba(0,0,0,.25);background:#fff;display:none'
  var small = window.matchMedia && window.matchMedia('(max-width: 480px)')
  function fit() {
    if (small && small.matches) {
      frame.style.width = '100vw'
      frame.style.height = '100%'
      frame.style.maxWidth = '100vw'
      frame.style.maxHeight = '100%'
      frame.style.bottom = '0'
      frame.style[position] = '0'
      frame.style.borderRadius = '0'
    }
  }
  fit()

  function emit(name, detail) {
    window.dispatchEvent(new CustomEvent('switchboard:' + name, { detail: detail }))
  }

  function post(type) {
    var message = { source: SOURCE, type: type }
    if (!ready) {
      queued.push(message)
      return
    }
    frame.contentWindow.postMessage(message, origin)
  }

  function showUnread() {
    badge.textContent = unread > 99 ? '99+' : String(unread)
    badge.style.display = unread > 0 && !isOpen ? 'block' : 'none'
    api.unread = unread
  }

  function open() {
    if (isOpen) return
    isOpen = true
    frame.style.display = 'block'
    if (small && small.matches) button.style.display = 'none'
    unread = 0
    showUnread()
    post('open')
    emit('open', {})
  }

  function close() {
    if (!isOpen) return
    isOpen = false
    frame.style.display = 'none'
    button.style.display = 'flex'
    showUnread()
    post('close')
    emit('close', {})
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return
    var message = event.data
    if (!message || message.source !== SOURCE || typeof message.type !== 'string') return
    if (message.type === 'ready') {
      ready = true
      var pending = queued
      queued = []
      pending.forEach(function (m) { frame.contentWindow.postMessage(m, origin) })
      frame.contentWindow.postMessage({ source: SOURCE, type: isOpen ? 'open' : 'close' }, origin)
      emit('ready', {})
    } else if (message.type === 'unread') {
      unread = isOpen ? 0 : Math.max(0, Number(message.count) || 0)
      showUnread()
      emit('unread', { count: unread })
    } else if (message.type === 'close') {
      close()
    }
  })

  button.addEventListener('click', function () {
    if (isOpen) close()
    else open()
  })

  var api = {
    open: open,
    close: close,
    toggle: function () { if (isOpen) close(); else open() },
    unread: 0,
    get isOpen() { return isOpen }
  }
  window.SwitchboardWidget = api

  function mount() {
    document.body.appendChild(frame)
    document.body.appendChild(button)
  }
  if (document.body) mount()
  else document.addEventListener('DOMContentLoaded', mount)
})()
