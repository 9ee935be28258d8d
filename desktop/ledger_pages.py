"""The declared ledgers' pages in the sidebar: (order, kind, title, group), in order.

Written by ``python -m desktop.pages`` from the declarations in models/ledgers (the window's
first frame lists the pages without importing them); do not edit by hand.
"""

LEDGER_PAGES = (
    (20, 'meetings', '周调度会', '会议与督办'),
    (30, 'funds', '清欠资金台账', '台账'),
    (31, 'advances', '垫付追偿台账', '台账'),
    (31, 'assets', '资产处置及资金筹措', '台账'),
    (32, 'contract_arrears', '拖欠工程款台账', '台账'),
    (33, 'inspections', '排查台账', '台账'),
    (34, 'petitions', '信访台账', '台账'),
    (35, 'daily_reports', '日报告 / 零报告', '会议与督办'),
    (36, 'blacklist', '失信联合惩戒名单', '台账'),
    (37, 'employer_plans', '一企一策措施台账', '台账'),
    (38, 'targets', '专班目标', '台账'),
    (62, 'certificates', '清欠证明登记簿', '台账'),
)
