// The demo's client hooks (served as /assets/hooks.js; no inline script anywhere).

export default {
  // `/counter`: asks the server a question and shows its reply (`socket.reply` in `parity`).
  AskParity: {
    mounted() {
      this.el.addEventListener('click', async () => {
        const answer = document.getElementById('parity-answer');
        try {
          const reply = await this.pushEvent('parity', {});
          answer.textContent = reply ? `${reply.count} is ${reply.parity}` : 'no reply';
        } catch {
          answer.textContent = 'refused';
        }
      });
    },
  },
};
