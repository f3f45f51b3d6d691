/**
 * `widget.js`: the script-tag embed. `<script src="…/api/streams/widget.js" data-plan="<id>" async>`
 * puts the plan's widget in its place, as an iframe from the address the script itself came from.
 * It reads nothing else of the page, sets no cookie and reports nothing back.
 */
export const WIDGET_SCRIPT = `(function () {
  var script = document.currentScript;
  if (!script || !script.parentNode) return;
  var plan = script.getAttribute('data-plan') || '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(plan)) return;
  var frame = document.createElement('iframe');
  frame.src = new URL('plans/' + plan + '/widget', script.src).href;
  frame.title = 'Subscription plan, by Tally';
  frame.loading = 'lazy';
  frame.width = '360';
  frame.height = '440';
  frame.style.border = '0';
  frame.style.maxWidth = '100%';
  script.parentNode.replaceChild(frame, script);
})();
`;
