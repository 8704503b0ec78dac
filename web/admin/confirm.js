/* global document */
// One modal <dialog> for every destructive action; auto-refresh waits while it is open.

let pending = null;

export function isConfirmOpen() {
  return document.getElementById('confirm-dialog').open;
}

/** Resolves true when the person confirms, false on Cancel or Escape. */
export function confirmAction(message, confirmLabel = 'Confirm') {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-message').textContent = message;
  const ok = document.getElementById('confirm-ok');
  ok.textContent = confirmLabel;
  pending?.(false);
  return new Promise((resolve) => {
    pending = resolve;
    const returnTo = document.activeElement;
    dialog.addEventListener('close', () => {
      pending = null;
      resolve(dialog.returnValue === 'confirm');
      if (returnTo && returnTo.isConnected) returnTo.focus();
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

export function setupConfirm() {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-ok').addEventListener('click', () => dialog.close('confirm'));
  document.getElementById('confirm-cancel').addEventListener('click', () => dialog.close('cancel'));
}
