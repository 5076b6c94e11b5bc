import type { Knex } from 'knex';
import { z } from 'zod';
import { conflict, validationError } from '../errors.js';
import { hashPassword } from '../auth/password.js';
import { ROLES, type Role } from '../auth/policy.js';
import type { AgencyService } from '../agencies/agencies.service.js';
import * as repo from './users.repository.js';

export const newUserSchema = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{3,64}$/, 'tên đăng nhập gồm 3–64 ký tự a–z, 0–9, dấu chấm, gạch ngang, gạch dưới'),
  fullName: z.string().trim().min(1, 'cần họ và tên').max(200),
  email: z.string().trim().email('email không hợp lệ').nullable().default(null),
  password: z.string().min(8, 'mật khẩu tối thiểu 8 ký tự').max(200),
  role: z.enum(ROLES),
  agencyCode: z.string().trim().nullable().default(null),
});

export type { UserRow } from './users.repository.js';
export type NewUserInput = z.input<typeof newUserSchema>;

export class UserService {
  constructor(
    private readonly db: Knex,
    private readonly agencies: AgencyService,
  ) {}

  async create(input: NewUserInput, db: Knex = this.db): Promise<number> {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) {
      throw validationError(
        'Thông tin người dùng chưa hợp lệ.',
        parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      );
    }
    const u = parsed.data;
    const agency = u.agencyCode ? await this.agencies.findByCode(u.agencyCode, db) : undefined;
    if (u.agencyCode && !agency) throw validationError(`Không có đơn vị mã ${u.agencyCode}.`);
    if ((u.role === 'reporter' || u.role === 'head') && !agency) {
      throw validationError('Chuyên viên và lãnh đạo đơn vị phải thuộc một đơn vị.');
    }
    if (await repo.findByUsername(db, u.username)) throw conflict(`Tên đăng nhập ${u.username} đã tồn tại.`);
    return repo.insertUser(db, {
      username: u.username,
      fullName: u.fullName,
      email: u.email,
      passwordHash: await hashPassword(u.password),
      role: u.role as Role,
      agencyId: agency?.id ?? null,
    });
  }

  findByUsername(username: string): Promise<repo.UserRow | undefined> {
    return repo.findByUsername(this.db, username);
  }

  findById(id: number): Promise<repo.UserRow | undefined> {
    return repo.findById(this.db, id);
  }

  count(): Promise<number> {
    return repo.countUsers(this.db);
  }

  /** Active users of an agency, or of any agency, with the given roles: whom a notification goes to. */
  recipients(filter: { agencyId?: number; roles: Role[] }, db: Knex = this.db): Promise<repo.Recipient[]> {
    return repo.activeUsers(db, filter);
  }
}
