// The minimal express route of the HTTP overhead row.
import express from 'express';

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ ok: true });
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`LISTENING ${server.address().port}`);
});
