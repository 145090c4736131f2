// When an HTMX request fails, say so where the user is looking instead of doing nothing.
document.addEventListener("htmx:responseError", showFailure);
document.addEventListener("htmx:sendError", showFailure);

function showFailure() {
  const main = document.getElementById("main");
  if (!main || document.getElementById("htmx-failure")) return;
  const alert = document.createElement("div");
  alert.id = "htmx-failure";
  alert.className = "alert alert-danger";
  alert.setAttribute("role", "alert");
  alert.textContent = main.dataset.failureMessage;
  main.prepend(alert);
}

// A "Print" button (the case file): the page's CSP allows no inline handler.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
