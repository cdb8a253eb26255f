// Quick exit: leave at once for a neutral site, replacing this page in the
// history so that "back" does not return here. Escape does the same.
(function () {
  "use strict";
  var exit = document.getElementById("quick-exit");
  if (!exit) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.innerHTML = "";
    window.location.replace(exit.href);
  }
  exit.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      leave(event);
    }
  });
})();
