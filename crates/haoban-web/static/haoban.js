// haoban: the only script of the pages, and optional: everything works without it.
// A button marked data-print prints the page (the notice is laid out for A4).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.closest && target.closest("[data-print]")) {
    window.print();
  }
});
