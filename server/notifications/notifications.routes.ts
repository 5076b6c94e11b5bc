import type { Services } from '../container.js';
import { actorOf, bodyString, idParam, type Route } from '../http/route.js';
import { renderPage } from '../http/views.js';

export function notificationRoutes(s: Services): Route[] {
  return [
    {
      method: 'get',
      path: '/notifications',
      access: 'notification.read',
      handler: async (_req, res) => {
        const actor = actorOf(res);
        const items = await s.notifications.list(actor);
        res.send(
          renderPage('notifications/index', {
            ...res.locals,
            title: 'Thông báo',
            items: items.map((n) => ({ ...n, unread: n.readAt === null })),
          }),
        );
      },
    },
    {
      method: 'post',
      path: '/notifications/:id/read',
      access: 'notification.read',
      handler: async (req, res) => {
        // "Xem chi tiết" marks the notification read and opens the page it is about; "Đánh dấu đã đọc" stays here.
        const link = await s.notifications.markRead(actorOf(res), idParam(req, 'id'));
        res.redirect(303, bodyString(req, 'open', 1) === '1' && link ? link : '/notifications');
      },
    },
    {
      method: 'post',
      path: '/notifications/read-all',
      access: 'notification.read',
      handler: async (_req, res) => {
        await s.notifications.markAllRead(actorOf(res));
        res.redirect(303, '/notifications');
      },
    },
  ];
}
