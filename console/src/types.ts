// The API's answers as the console reads them (docs/console.md; the server's schemas are the truth).
export type Role = "platform" | "owner" | "kitchen";
export type Status = "placed" | "accepted" | "preparing" | "ready" | "picked_up" | "cancelled" | "expired";

export interface Session {
  role: Role;
  restaurant: { id: string; slug: string; name: string } | null;
  keyName: string;
  csrfToken: string;
  idleTimeoutSeconds: number;
  expiresAt: string;
}

export interface Line {
  itemId: string;
  name: string;
  quantity: number;
  lineTotalCents: number;
  note: string | null;
}

export interface Order {
  orderId: string;
  orderCode: string;
  status: Status;
  items: Line[];
  totalCents: number;
  currency: string;
  pickupAt: string | null;
  placedAt: string;
  updatedAt: string;
  pickupName?: string | null;
  pickupPhone?: string | null;
  readyAt?: string | null;
  cancelReason?: string | null;
}

export interface Board {
  version: number;
  restaurant: { id: string; slug: string; name: string; timezone: string; currency: string };
  paused: null | { until: string | null };
  orders: Order[];
  recent: Order[];
  today: { orders: number; revenueCents: number; currency: string; avgAcceptToReadySeconds: number | null };
}

export interface Item {
  itemId: string;
  name: string;
  section?: string | null;
  available: boolean;
  unavailableUntil?: string | null;
}
